-- Argo CD health check of densecl.io/DenseCLRun (resource.customizations.health.densecl.io_DenseCLRun).
-- Argo CD sets the global `obj` (the live object) and expects a table {status=..., message=...} with
-- status one of Healthy, Progressing, Degraded, Suspended. Plain Lua 5.1 (Argo CD's gopher-lua), no
-- libraries beyond string/table.
local hs = { status = "Progressing", message = "" }

local spec = obj.spec or {}
local status = obj.status
local suspended = spec.suspend == true

local function failedMessage(st)
  if st.conditions ~= nil then
    for _, c in ipairs(st.conditions) do
      if c.type == "Failed" and c.status == "True" and c.message ~= nil and c.message ~= "" then
        return c.message
      end
    end
  end
  local lf = st.lastFailure
  if lf ~= nil then
    local parts = {}
    if lf.reason ~= nil and lf.reason ~= "" then table.insert(parts, lf.reason) end
    if lf.message ~= nil and lf.message ~= "" then table.insert(parts, lf.message) end
    if #parts > 0 then return table.concat(parts, ": ") end
  end
  if st.message ~= nil and st.message ~= "" then return st.message end
  return "DenseCLRun failed"
end

local function progressMessage(st)
  local msg = "Phase " .. tostring(st.phase)
  local p = st.progress
  if p ~= nil and p.epoch ~= nil then
    msg = msg .. ": epoch " .. tostring(p.epoch)
    if p.totalEpochs ~= nil then msg = msg .. "/" .. tostring(p.totalEpochs) end
    if p.percent ~= nil then msg = msg .. " (" .. tostring(p.percent) .. "%)" end
  end
  if st.message ~= nil and st.message ~= "" then msg = msg .. " - " .. st.message end
  return msg
end

if status == nil or status.phase == nil then
  if suspended then
    hs.status = "Suspended"
    hs.message = "Run is suspended (spec.suspend)"
  else
    hs.message = "Waiting for the operator to accept the run"
  end
  return hs
end

local generation = (obj.metadata or {}).generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  if suspended then
    hs.status = "Suspended"
    hs.message = "Run is being suspended (spec.suspend)"
  else
    hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  end
  return hs
end

if status.phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = status.message or "Training and evaluations completed"
  if status.bestEvaluation ~= nil and status.bestEvaluation ~= "" then
    hs.message = hs.message .. " (best: " .. tostring(status.bestEvaluation) .. ")"
  end
  return hs
end

if status.phase == "Failed" then
  hs.status = "Degraded"
  hs.message = failedMessage(status)
  return hs
end

if suspended or status.phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = status.message or "Run is suspended"
  return hs
end

hs.status = "Progressing"
hs.message = progressMessage(status)
return hs
