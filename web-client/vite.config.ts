// Builds the SPA into dist/ (served by the ismessenger binary at `/`); `npm run dev` proxies
// the API to a server on :8080 so the app can be worked on with hot reload.
import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

const api = process.env.ISM_DEV_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: { "/api": api, "/media": api, "/webhooks": api, "/docs": api, "/widget.js": api },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
