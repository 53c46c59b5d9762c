import type { EmbedderConfig } from '../config/schema.js';
import { EMBEDDING_DIMENSIONS, type Embedder } from './embedder.js';
import { localEmbedder } from './local-embedder.js';
import { openAiCompatibleEmbedder, titanEmbedder } from './remote-embedders.js';

/** The embedder the configuration names. */
export function createEmbedder(config: EmbedderConfig): Embedder {
  switch (config.provider) {
    case 'local':
      return localEmbedder();
    case 'titan':
      return titanEmbedder({ modelId: config.model, ...(config.region ? { region: config.region } : {}), ...(config.endpoint ? { endpoint: config.endpoint } : {}) });
    case 'openai-compatible':
      return openAiCompatibleEmbedder({ baseUrl: config.base_url, model: config.model, ...(config.api_key_env ? { apiKeyEnv: config.api_key_env } : {}), dimensions: EMBEDDING_DIMENSIONS });
  }
}
