package org.lovcen.sigma;

/**
 * One match of a rule referenced by a correlation, reduced to what the correlation detector
 * needs. Immutable (the values array is never changed after creation).
 *
 * @param input which referenced rule matched (an index of {@link Correlations})
 * @param timestamp event time, micros since the epoch
 * @param institution the event's institution, or null; correlations count within one institution
 * @param host the event's host, or null
 * @param values the values of the fields the correlations need from this rule, null where absent
 * @param source the input the event came from
 * @param record the record number or line within {@code source}
 */
public record CorrelationHit(int input, long timestamp, String institution, String host, String[] values,
    String source, long record) {}
