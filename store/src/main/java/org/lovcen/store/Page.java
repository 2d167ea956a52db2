package org.lovcen.store;

import java.util.List;

/**
 * One page of a list.
 *
 * @param items the rows, newest first
 * @param total rows matching the filter in the caller's scope
 * @param next opaque cursor of the next page, or null on the last
 */
public record Page<T>(List<T> items, long total, String next) {}
