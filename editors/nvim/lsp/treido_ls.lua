-- treido-ls for Neovim 0.11+ (`vim.lsp.config` style).
-- Put this file on your 'runtimepath' as lsp/treido_ls.lua (e.g. ~/.config/nvim/lsp/treido_ls.lua)
-- and call `vim.lsp.enable('treido_ls')`. See editors/nvim/README.md for older Neovim versions.
---@type vim.lsp.Config
return {
  cmd = { 'treido-ls' },
  filetypes = { 'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'sql', 'json' },
  -- treido.json first: in a monorepo the closest treido.json decides which rules run.
  root_markers = { 'treido.json', 'package.json', '.git' },
  settings = {
    treido = {
      enable = true,
      run = 'onType', -- or 'onSave'
      logLevel = 'warning',
    },
  },
}
