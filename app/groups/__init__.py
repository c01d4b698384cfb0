"""Interest subgroups, their categories and memberships."""
