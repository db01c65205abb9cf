-- Argo CD health of a konnectreplay.io/v1alpha1 AuditLogReplayPolicy.
-- A policy runs forever: Healthy while the webhook is healthy and nothing is being healed, Progressing while
-- a gap is recovering or being replayed, Degraded while the webhook is down, the policy is stalled, or the
-- latest gap lost audit events to Konnect's retention, Suspended with spec.suspend.
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
if status == nil or status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "waiting for the operator's first check of the webhook"
  return hs
end

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

local lost = condition(status, "DataLost")
if lost ~= nil and lost.status == "True" then
  hs.status = "Degraded"
  hs.message = messageOf(lost, "Audit events were lost to Konnect's retention")
  return hs
end

local ready = condition(status, "Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = messageOf(ready, "The webhook is healthy")
  return hs
end

if ready ~= nil and ready.reason == "Suspended" then
  hs.status = "Suspended"
  hs.message = messageOf(ready, "Suspended: set spec.suspend to false to check the webhook again")
  return hs
end

if ready ~= nil and ready.reason == "GapOpen" then
  hs.status = "Degraded"
  hs.message = messageOf(ready, "The webhook is unhealthy")
  return hs
end

-- Recovering, Replaying, a transient reason, or one this script does not know yet.
hs.status = "Progressing"
hs.message = messageOf(ready, "Healing a gap")
return hs
