-- Scale-out (DESIGN §6): the nodes of a cluster sharing this database, and the route to each device.

-- One row per cloudpark node that ever ran on this database. A node beats every 2 s; one whose last beat is older
-- than a few seconds is dead, and reaped_at says a survivor has closed its parked calls since it last beat.
create table node (
    id         varchar(128) primary key,
    sip_uri    varchar      not null,
    started_at timestamp    not null,
    last_seen  timestamp    not null,
    reaped_at  timestamp
);

-- the Path (RFC 3327) the device's REGISTER came with, comma-separated, first hop first: pushed as Route on every
-- request a node originates to the device, so it goes through the load balancer that holds the device's binding
alter table registration add column path varchar;
