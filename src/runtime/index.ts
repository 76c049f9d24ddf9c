/**
 * Controllers' building blocks on top of the client: informers (list + watch caches).
 */
export { Informer, type InformerEvent, type InformerOptions } from "./informer.js";
