"""Email: named templates rendered to messages, and the senders that deliver them."""
