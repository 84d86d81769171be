"""File names the server must recognise before it loads the rest of the workspace code."""

CONFIG_NAMES = ("treido.json", "treido.jsonc")
