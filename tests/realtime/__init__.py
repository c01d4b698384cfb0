"""Real-time chat against real uvicorn processes and real websockets."""
