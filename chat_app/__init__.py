"""Stage 3: answers, conversation, and the ways people reach them (CLI, HTTP, Gradio, widget)."""
