"""In-app notifications: replies and reactions, the bell's unread count."""
