/** Local mode without GITHUB_TOKEN: nothing is sent; the confirmation shows the exact issue that would be filed. */
import type { IssueTracker } from './tracker.js';

export function createPreviewTracker(projectUrl?: string): IssueTracker {
  return {
    kind: 'preview',
    async createDataRequest() {
      return {
        number: 0,
        url: '',
        nodeId: '',
        existing: false,
        fieldsSet: [],
        fieldsMissing: [],
        boardUrl: projectUrl,
        preview: true,
      };
    },
    async findRelated() {
      return [];
    },
  };
}
