package org.lovcen.core;

/**
 * A pointer back to one stored or read event: its source and record number, and its time.
 *
 * @param source the input path as given, an upload or listener name
 * @param record the record number or line within the source
 * @param timestamp micros since the epoch
 */
public record EventRef(String source, long record, long timestamp) {}
