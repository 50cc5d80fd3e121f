export { updateArticleRequest as request, updateArticleResult as response } from '../lib/update-article';
