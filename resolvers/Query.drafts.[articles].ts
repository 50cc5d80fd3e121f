// Drafts, newest first (Query on the byStatus index, nextToken passed through).
export { draftPageRequest as request, connectionResult as response } from './lib/articles';
