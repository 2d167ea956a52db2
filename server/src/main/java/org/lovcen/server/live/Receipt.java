package org.lovcen.server.live;

/**
 * What an ingest request was answered: events stored, lines rejected, the id of the first stored
 * event, and whether the request repeated an earlier idempotency key (then nothing new was stored
 * and the numbers are the earlier request's).
 */
public record Receipt(int accepted, int rejected, long firstEvent, boolean duplicate) {}
