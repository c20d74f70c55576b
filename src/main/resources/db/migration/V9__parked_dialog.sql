-- Where a parked party's call runs through the edge proxy (its SIP Call-ID, as the proxy's dialog module knows it),
-- recorded when it is parked: if the node holding the call dies, a survivor finds the dialog by it and has the proxy
-- move the party to itself (re-park). Null: the call is not to be moved (the node's setting), it ends FAILED.
alter table parked_call add column parked_dialog varchar(255);
