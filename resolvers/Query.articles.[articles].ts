// Published articles only, newest first (Query on the byStatus index, nextToken passed through).
export { publishedPageRequest as request, connectionResult as response } from './lib/articles';
