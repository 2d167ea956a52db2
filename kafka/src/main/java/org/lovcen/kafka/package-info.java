/**
 * The detection pipeline as a Kafka Streams application: the same engine as {@code hunt} and
 * {@code serve} (Sigma rules, correlations, indicators, website detectors) in processors,
 * correlation and website detection state in changelogged state stores, rules, indicators and
 * institution settings from compacted topics; plus the producer ingest
 * uses and the consumer that hands alerts to the server.
 */
package org.lovcen.kafka;
