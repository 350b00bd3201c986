// Runs in every unit test file: after each test, every response the in-process apps sent must match its document.
import { afterEach } from 'vitest';
import { expectDocumentedResponses } from './helpers.js';

afterEach(() => expectDocumentedResponses());
