-- A real editor as the language server's client: Neovim's built-in LSP client, headless
-- (tests/lsp/neovim_test.py runs it). It opens $PRIVFLOW_SPEC, starts `$PRIVFLOW lsp`, waits
-- for the analysis's diagnostics, asks for a hover and a definition, and writes what it got as
-- JSON to $PRIVFLOW_OUT. vim.lsp.start_client: Neovim 0.7 (Debian 12) has no vim.lsp.start.
local privflow, spec, out = os.getenv('PRIVFLOW'), os.getenv('PRIVFLOW_SPEC'), os.getenv('PRIVFLOW_OUT')
local result = { diagnostics = {}, hover = '', definition = {} }

local function finish(code)
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd(code == 0 and 'qall!' or 'cquit ' .. code)
end

vim.cmd('edit ' .. vim.fn.fnameescape(spec))
local buf = vim.api.nvim_get_current_buf()
local client = vim.lsp.start_client({
  name = 'privflow',
  cmd = { privflow, 'lsp', '--timeout', '60' },
  root_dir = vim.fn.fnamemodify(spec, ':h'),
})
if not client or not vim.lsp.buf_attach_client(buf, client) then
  result.error = 'the client did not start'
  finish(3)
end

-- The analysis's diagnostics follow the front end's: wait for one about a requirement.
local analysed = vim.wait(90000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.message:find('press_budget', 1, true) then return true end
  end
  return false
end, 100)
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(result.diagnostics, { line = d.lnum, col = d.col, severity = d.severity, message = d.message })
end
if not analysed then
  result.error = 'no analysis diagnostics within 90 s'
  finish(4)
end

-- The position of the first `word` on a line that starts with `prefix` (0-based, as LSP's).
local function position_of(prefix, word)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line:sub(1, #prefix) == prefix then
      local col = line:find(word, 1, true)
      if col then return { line = i - 1, character = col - 1 } end
    end
  end
  return nil
end

local function request(method, prefix, word)
  local params = { textDocument = vim.lsp.util.make_text_document_params(buf), position = position_of(prefix, word) }
  local replies = vim.lsp.buf_request_sync(buf, method, params, 20000) or {}
  for _, reply in pairs(replies) do
    if reply.result then return reply.result end
  end
  return nil
end

local hover = request('textDocument/hover', 'require press_budget', 'press_budget')
if hover and hover.contents then
  result.hover = type(hover.contents) == 'table' and (hover.contents.value or '') or tostring(hover.contents)
end
local definition = request('textDocument/definition', 'compute tally', 'reply)')
if definition then
  if definition.uri then definition = { definition } end
  for _, location in ipairs(definition) do
    table.insert(result.definition, { uri = location.uri, line = location.range.start.line })
  end
end
vim.lsp.stop_client(client)
finish(0)
