-- The highest fencing token seen per shard: writes with an older one are refused.
CREATE TABLE shard_fences (
    shard INTEGER PRIMARY KEY,
    token INTEGER NOT NULL
);
