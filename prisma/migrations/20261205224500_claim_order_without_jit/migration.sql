-- Hand-written (functions are invisible to the drift check). The claim's choice of tasks never JIT-compiled.
--
-- Its generic plan (20261205220000_claim_order_generic_plan) is costed as if it read a tenth of the pending rows:
-- past ~55,000 pending tasks that passes jit_above_cost (100,000), and PostgreSQL then compiled the plan's
-- expressions with LLVM at every claim — milliseconds of a backend's CPU for a scan that stops after `how_many`
-- rows. The plan is a Limit over an ordered index scan whatever the queue's size; JIT never pays for it.
ALTER FUNCTION reyestr_claimable_task_ids(integer) SET jit = off;
