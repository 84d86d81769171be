"""Tests in real editors (Neovim, Emacs + Eglot, opt-in VS Code through code-server)."""
