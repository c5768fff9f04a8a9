-- The checkout example's database: one row per order.
create table orders (
  id             integer primary key,
  amount_cents   integer not null check (amount_cents > 0),
  currency       text    not null,
  amount_eur_cents integer,
  status         text    not null default 'pending',  -- pending, paid, declined
  payment_intent text,
  created_at     timestamptz not null default now()
);
