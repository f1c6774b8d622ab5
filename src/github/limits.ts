/**
 * GitHub limits the app designs for, named once.
 */

/** https://docs.github.com/en/rest/actions/artifacts#list-workflow-run-artifacts: the largest page. */
export const MAX_PER_PAGE = 100;
