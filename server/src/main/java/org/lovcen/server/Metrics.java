package org.lovcen.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.DoubleSupplier;
import org.lovcen.server.live.DetectionLoop;

/** The server's Prometheus metrics, served at {@code /metrics}. Thread-safe. */
public final class Metrics implements DetectionLoop.Observer {
  private static final double NANOS = 1e9;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  final Counter ingested = Counter.builder().name("lovcen_ingest_events_total")
      .help("Events accepted for storage").labelNames("institution", "transport").register(registry);
  final Counter rejected = Counter.builder().name("lovcen_ingest_rejected_total")
      .help("Lines, messages or requests rejected at ingest").labelNames("transport", "reason").register(registry);
  final Counter throttled = Counter.builder().name("lovcen_ingest_throttled_total")
      .help("Ingest requests answered 429 because the pipeline was full").register(registry);
  private final Counter detected = Counter.builder().name("lovcen_detection_events_total")
      .help("Events run through detection").register(registry);
  private final Counter alerts = Counter.builder().name("lovcen_alerts_total")
      .help("Alerts stored").register(registry);
  private final Histogram evaluate = Histogram.builder().name("lovcen_detection_batch_seconds")
      .help("Time to run the rules over one batch of events").register(registry);
  private final Histogram alertWrite = Histogram.builder().name("lovcen_db_alert_write_seconds")
      .help("Time to store one batch's alerts, incidents and cursor").register(registry);
  final Histogram eventWrite = Histogram.builder().name("lovcen_db_event_write_seconds")
      .help("Time to store one group of ingest batches (one transaction)").register(registry);
  final Histogram http = Histogram.builder().name("lovcen_http_request_seconds")
      .help("HTTP request time").labelNames("route", "status").register(registry);
  private final Summary latency = Summary.builder().name("lovcen_alert_latency_seconds")
      .help("From the arrival of an ingest request to its alert being stored")
      .quantile(0.5, 0.01).quantile(0.99, 0.001).maxAgeSeconds(300).register(registry);
  private final LatencyCounts latencyCounts = new LatencyCounts();

  /** Registers a gauge read at scrape time. */
  public void gauge(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
  }

  /** Registers a labelled gauge read at scrape time: one value per label value. */
  public void gauges(String name, String help, String label, java.util.function.Supplier<java.util.Map<String, Long>> values) {
    GaugeWithCallback.builder().name(name).help(help).labelNames(label)
        .callback(cb -> values.get().forEach((k, v) -> cb.call(v, k))).register(registry);
  }

  @Override
  public void batch(int events, int stored, long evaluateNanos, long storeNanos) {
    detected.inc(events);
    alerts.inc(stored);
    evaluate.observe(evaluateNanos / NANOS);
    alertWrite.observe(storeNanos / NANOS);
  }

  @Override
  public void alertLatency(long nanos) {
    latency.observe(nanos / NANOS);
    latencyCounts.record(nanos);
  }

  /** The alert latencies counted per millisecond, for the quantiles of a stretch of time. */
  public LatencyCounts alertLatencies() {
    return latencyCounts;
  }

  /** The current quantile of the alert latency in seconds (NaN before any alert). */
  public double latencyQuantile(double q) {
    var data = latency.collect().getDataPoints().get(0);
    for (var x : data.getQuantiles()) {
      if (x.getQuantile() == q) {
        return x.getValue();
      }
    }
    return Double.NaN;
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
