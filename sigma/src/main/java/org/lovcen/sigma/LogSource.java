package org.lovcen.sigma;

/**
 * A rule's {@code logsource}: which logs it is written for. Any part may be null.
 *
 * @param product e.g. {@code windows}, {@code linux}
 * @param category e.g. {@code process_creation}
 * @param service e.g. {@code security}, {@code sysmon}
 */
public record LogSource(String product, String category, String service) {
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    if (product != null) {
      b.append("product=").append(product);
    }
    if (category != null) {
      b.append(b.isEmpty() ? "" : ",").append("category=").append(category);
    }
    if (service != null) {
      b.append(b.isEmpty() ? "" : ",").append("service=").append(service);
    }
    return b.toString();
  }
}
