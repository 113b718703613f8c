-- Hand-written (functions are invisible to the drift check). The claim's choice of tasks planned once per
-- connection instead of at every claim.
--
-- PL/pgSQL plans its query like a prepared statement: a custom plan for the call's `how_many` until a generic one
-- looks no dearer. With `LIMIT how_many` it never does — the generic plan's cost assumes a tenth of the pending rows
-- (34,000 against 856 for LIMIT 50 on 20,000 of them) — so every claim planned the query anew: 5 % of the
-- PostgreSQL backends' CPU in a claimTasks(50) + completeTasks(50) loop (perf, docs/benchmarks.md, session 13).
-- With sorting off (20261202210100_claim_order_without_statistics) the generic plan is the same ordered scan of
-- tasks_claim_order_idx under the same Limit, so forcing it changes nothing but the planning.
ALTER FUNCTION reyestr_claimable_task_ids(integer) SET plan_cache_mode = force_generic_plan;
