-- Argo CD action "suspend" of densecl.io/DenseCLRun: the operator checkpoints and stops the trainer.
if obj.spec == nil then obj.spec = {} end
obj.spec.suspend = true
return obj
