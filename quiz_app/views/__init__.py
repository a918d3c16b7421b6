"""One module per page; each has `render()`, run when Streamlit runs the file as a page."""
