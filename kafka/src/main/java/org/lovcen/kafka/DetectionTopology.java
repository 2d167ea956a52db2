package org.lovcen.kafka;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;
import org.lovcen.web.WebConfig;

/**
 * The detection application: three sub-topologies joined by the hits and requests topics.
 *
 * <pre>
 * events ──> detect (Sigma rules, indicators) ──> alerts
 *                 ├──> hits (by institution) ──> correlate [correlation-state] ──> alerts
 *                 └──> requests (one key) ──> web [web-state] ──> alerts (web alerts, decisions)
 * </pre>
 */
final class DetectionTopology {
  private DetectionTopology() {}

  static Topology build(KafkaSettings settings, RuleBook book, WebConfig web) {
    Topics topics = settings.topics();
    StringDeserializer keys = new StringDeserializer();
    ByteArrayDeserializer values = new ByteArrayDeserializer();
    StringSerializer keyOut = new StringSerializer();
    ByteArraySerializer valueOut = new ByteArraySerializer();
    Topology t = new Topology();
    t.addSource("events", keys, values, topics.events());
    t.addProcessor("detect", () -> new DetectProcessor(book, web), "events");
    t.addSink(DetectProcessor.ALERTS, topics.alerts(), keyOut, valueOut, "detect");
    t.addSink(DetectProcessor.HITS, topics.hits(), keyOut, valueOut, "detect");
    t.addSink(DetectProcessor.REQUESTS, topics.requests(), keyOut, valueOut, "detect");
    t.addSource("hits", keys, values, topics.hits());
    t.addProcessor("correlate", () -> new CorrelateProcessor(book, settings), "hits");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CorrelateProcessor.STORE),
        Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), "correlate");
    t.addSink(CorrelateProcessor.ALERTS, topics.alerts(), keyOut, valueOut, "correlate");
    t.addSource("requests", keys, values, topics.requests());
    t.addProcessor("web", () -> new WebProcessor(settings, web), "requests");
    // no cache: every key is written once per snapshot, and the snapshot chunks are large
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WebProcessor.STORE),
        Serdes.String(), Serdes.ByteArray()), "web");
    t.addSink(WebProcessor.ALERTS, topics.alerts(), keyOut, valueOut, "web");
    t.addSink(WebProcessor.REQUESTS, topics.requests(), keyOut, valueOut, "web");
    return t;
  }
}
