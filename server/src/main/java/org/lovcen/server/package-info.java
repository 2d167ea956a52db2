package org.lovcen.server;
