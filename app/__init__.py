"""Samvær: an online peer-support community."""
