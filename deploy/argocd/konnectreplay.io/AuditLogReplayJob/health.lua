-- Argo CD health of a konnectreplay.io/v1alpha1 AuditLogReplayJob.
-- A replay is a one-shot job: Completed is Healthy, Failed or Stalled is Degraded, a suspended
-- request is Suspended, everything else is still Progressing.
local hs = {}

local function condition(status, type)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function messageOf(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return fallback
end

local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "waiting for the operator to pick up the request"
  return hs
end

-- A status written for an older spec says nothing about the current one.
local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local stalled = condition(status, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = messageOf(stalled, "Stalled: " .. tostring(stalled.reason))
  return hs
end

if status.phase == nil then
  hs.status = "Progressing"
  hs.message = "waiting for the operator to pick up the request"
  return hs
end

if status.phase == "Completed" then
  hs.status = "Healthy"
  hs.message = messageOf(condition(status, "Ready"), "Replay completed")
  return hs
end

if status.phase == "Failed" then
  hs.status = "Degraded"
  hs.message = messageOf(condition(status, "Failed"), "Replay failed")
  return hs
end

if status.phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = messageOf(condition(status, "Reconciling"), "Suspended: set spec.suspend to false to submit the replay")
  return hs
end

-- Queued, Accepted, Pending, Running, or a phase this script does not know yet.
hs.status = "Progressing"
hs.message = messageOf(condition(status, "Reconciling"), "Replay is " .. status.phase)
return hs
