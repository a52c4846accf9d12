-- Nothing to do in this release.
/* really */
