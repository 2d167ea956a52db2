package org.lovcen.kafka;

import org.lovcen.core.LovcenException;

/** The Kafka runner could not do what was asked (bad settings, the cluster unreachable, a timeout). */
public class KafkaRunnerException extends LovcenException {
  public KafkaRunnerException(String message) {
    super(message);
  }

  public KafkaRunnerException(String message, Throwable cause) {
    super(message, cause);
  }
}
