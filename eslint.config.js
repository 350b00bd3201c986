// typescript-eslint with type-aware rules over every TypeScript file, Prettier deciding the layout.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // test/tools/dredd-hooks.cjs is loaded by Dredd (not part of the build or the TypeScript project).
  { ignores: ['dist/', '**/dist/', 'node_modules/', '**/*.gen.ts', '**/*.d.ts', '.ci/', 'docker/', 'test/tools/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './console/tsconfig.json', './examples/typescript-client/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `_name` marks a value deliberately left unused (a destructured field dropped from a copy).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read response bodies (supertest's `res.body`, JSON.parse) that are `any` by nature;
    // the assertions on them are what checks their shape.
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  { files: ['eslint.config.js', 'test/tools/*.mjs', 'console/build.mjs', 'server/bundle.mjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
