-- Drives a real headless Neovim (0.7.2 and 0.11+) against treido-ls; run by test_nvim.py.
--
-- Inputs (environment): TREIDO_FILE (the .ts file to open), TREIDO_SERVER_CMD (JSON list),
-- TREIDO_RESULT (where to write the JSON result), TREIDO_FIX_TITLE (the quick fix to pick),
-- TREIDO_RULE (the rule id), TREIDO_CONFIG_DIR (editors/nvim, holding lsp/treido_ls.lua).
-- The Python test makes every assertion; this script only acts like a user and reports what the
-- editor saw. Any Lua error is caught and reported, and the script always ends Neovim: an
-- uncaught error would leave a headless Neovim running forever.

local env = vim.env
local result = { steps = {} }
local TIMEOUT_MS = 20000

local function step(name)
  table.insert(result.steps, name)
end

local function has(version)
  return vim.fn.has(version) == 1
end

local function write_result()
  local file = assert(io.open(env.TREIDO_RESULT, 'w'))
  file:write(vim.fn.json_encode(result))
  file:close()
end

local function wait_for(what, condition)
  if not vim.wait(TIMEOUT_MS, condition, 50) then
    error('timed out waiting for ' .. what)
  end
end

-- Raw LSP diagnostics (ranges in the negotiated encoding), whichever way they arrive: pushed, or
-- pulled by clients that support textDocument/diagnostic.
local raw = { version = 0, items = nil }
local function record(items)
  raw.items = items
  raw.version = raw.version + 1
end

local function wrap_handlers()
  local push = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
    if params then
      record(params.diagnostics)
    end
    return push(err, params, ctx, config)
  end
  local pull = vim.lsp.handlers['textDocument/diagnostic']
  if pull then
    vim.lsp.handlers['textDocument/diagnostic'] = function(err, res, ctx, config)
      if res and res.kind == 'full' then
        record(res.items)
      end
      return pull(err, res, ctx, config)
    end
  end
end

-- Neovim 0.11+: the shipped lsp/treido_ls.lua through vim.lsp.config/enable (only cmd overridden).
-- 0.8-0.10: vim.lsp.start. 0.7: vim.lsp.start_client + buf_attach_client.
local function start_server(bufnr, cmd)
  if has('nvim-0.11') then
    vim.opt.runtimepath:prepend(env.TREIDO_CONFIG_DIR)
    vim.lsp.config('treido_ls', { cmd = cmd })
    vim.lsp.enable('treido_ls')
    vim.bo[bufnr].filetype = 'typescript' -- fires FileType, which starts the enabled config
    return
  end
  vim.bo[bufnr].filetype = 'typescript'
  local root = vim.fn.fnamemodify(env.TREIDO_FILE, ':p:h')
  if has('nvim-0.8') then
    vim.lsp.start({ name = 'treido_ls', cmd = cmd, root_dir = root })
  else
    local id = vim.lsp.start_client({ name = 'treido_ls', cmd = cmd, root_dir = root })
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

local function clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  return vim.lsp.buf_get_clients(bufnr)
end

local function first_client(bufnr)
  for _, client in pairs(clients(bufnr)) do
    return client
  end
end

local function editor_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
                        code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code),
                        message = d.message })
  end
  return out
end

local function has_rule(bufnr)
  for _, d in ipairs(editor_diagnostics(bufnr)) do
    if d.code == env.TREIDO_RULE then
      return d
    end
  end
end

local function item_title(item)
  if item.action then
    return item.action.title -- 0.9+: { action = ..., ctx = ... }
  end
  return item[2].title -- 0.7/0.8: { client_id, action }
end

-- The editor's own code-action path, with the menu answered by title (as a user would pick it).
local function apply_quick_fix(diagnostic)
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
  local offered, picked = {}, false
  vim.ui.select = function(items, _, on_choice)
    for index, item in ipairs(items) do
      table.insert(offered, item_title(item))
      if item_title(item) == env.TREIDO_FIX_TITLE and not picked then
        picked = true
        on_choice(item, index)
      end
    end
    if not picked then
      on_choice(nil, nil)
    end
  end
  vim.lsp.buf.code_action()
  wait_for('the code-action menu', function()
    return #offered > 0
  end)
  result.offered = offered
  if not picked then
    error('quick fix not offered: ' .. env.TREIDO_FIX_TITLE)
  end
end

local function main()
  wrap_handlers()
  vim.cmd('edit ' .. vim.fn.fnameescape(env.TREIDO_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].fileformat = 'unix'
  start_server(bufnr, vim.fn.json_decode(env.TREIDO_SERVER_CMD))
  wait_for('the server to attach', function()
    return first_client(bufnr) ~= nil and first_client(bufnr).initialized ~= false
  end)
  step('attached')
  wait_for('the diagnostic', function()
    return has_rule(bufnr) ~= nil and raw.items ~= nil
  end)
  local client = first_client(bufnr)
  result.nvim = tostring(vim.version().major) .. '.' .. tostring(vim.version().minor)
  result.offset_encoding = client.offset_encoding
  result.config = { filetypes = client.config.filetypes, root_dir = client.config.root_dir,
                    root_markers = client.config.root_markers }
  result.before = { editor = editor_diagnostics(bufnr), lsp = raw.items }
  step('diagnosed')

  local seen = raw.version
  apply_quick_fix(has_rule(bufnr))
  step('fixed')
  vim.cmd('write')
  step('saved')
  wait_for('the diagnostic to clear', function()
    return raw.version > seen and has_rule(bufnr) == nil
  end)
  result.after = { editor = editor_diagnostics(bufnr), lsp = raw.items }
  step('cleared')
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  result.error = tostring(err)
end
pcall(write_result)
-- Stop the server politely, then leave whatever happened.
pcall(function()
  for _, client in pairs(clients(0)) do
    vim.lsp.stop_client(client.id)
  end
end)
vim.cmd(ok and 'qall!' or 'cquit 3')
