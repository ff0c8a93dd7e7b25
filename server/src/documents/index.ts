export { DocumentService } from './document.service.js';
export { documentRoutes } from './document.routes.js';
export { DOCUMENT_CATEGORIES, type DocumentCategory } from './document-category.js';
export { DOCUMENT_TYPES, type DocumentType } from './content-type.js';
