package org.lovcen.store;

/** An analyst's note on an incident. */
public record Note(long id, long incident, String author, String text, long created) {}
