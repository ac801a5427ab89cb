-- Test harness for Argo CD Lua scripts: runs <script> with the global `obj` set to the table that
-- <object.lua> returns (the way Argo CD runs health checks and actions) and prints the script's
-- result as JSON. Usage: lua5.4 harness.lua <script.lua> <object.lua>
local scriptFile, objectFile = arg[1], arg[2]

local function isArray(t)
  local n = 0
  for k in pairs(t) do
    if type(k) ~= "number" then return false end
    n = n + 1
  end
  for i = 1, n do
    if t[i] == nil then return false end
  end
  return n > 0
end

local function encode(v)
  local t = type(v)
  if v == nil then return "null" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then
    if v == math.floor(v) and v > -1e15 and v < 1e15 then return string.format("%d", v) end
    return string.format("%.17g", v)
  end
  if t == "string" then
    local s = v:gsub('[%c"\\]', function(c)
      local map = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
      return map[c] or string.format("\\u%04x", c:byte())
    end)
    return '"' .. s .. '"'
  end
  if t == "table" then
    local parts = {}
    if isArray(v) then
      for _, item in ipairs(v) do table.insert(parts, encode(item)) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do table.insert(keys, tostring(k)) end
    table.sort(keys)
    for _, k in ipairs(keys) do
      table.insert(parts, encode(k) .. ":" .. encode(v[k]))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  error("cannot encode a " .. t)
end

obj = dofile(objectFile)
local chunk = assert(loadfile(scriptFile))
local ok, result = pcall(chunk)
if not ok then
  io.stderr:write("script error: " .. tostring(result) .. "\n")
  os.exit(3)
end
io.write(encode(result), "\n")
