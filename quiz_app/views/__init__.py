"""One module per page; each exposes `render()`, called by its stub in pages/."""
