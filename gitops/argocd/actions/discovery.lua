-- Argo CD action discovery of densecl.io/DenseCLRun: "suspend" while the run can still train,
-- "resume" while it is suspended. Finished runs (Succeeded, Failed) offer neither.
local actions = {}
actions["suspend"] = { ["disabled"] = true }
actions["resume"] = { ["disabled"] = true }

local suspended = obj.spec ~= nil and obj.spec.suspend == true
local phase = nil
if obj.status ~= nil then phase = obj.status.phase end
local finished = phase == "Succeeded" or phase == "Failed"

if suspended then
  actions["resume"]["disabled"] = false
elseif not finished then
  actions["suspend"]["disabled"] = false
end
return actions
