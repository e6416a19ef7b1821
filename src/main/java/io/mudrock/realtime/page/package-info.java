/**
 * What the server's own browser pages (the wells page, the Realtime Inspector) share: the switch
 * that reads a page's settings once and reports them at start-up, and the filter that hides a
 * page's files while it is off and keeps browsers from caching unversioned bundles.
 */
package io.mudrock.realtime.page;
