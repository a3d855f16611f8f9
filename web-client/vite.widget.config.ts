// Builds the website chat widget into dist/widget.js: one self-contained script (no
// framework, styles inside a Shadow DOM) that any web page loads with a <script> tag.
import { defineConfig } from "vite";

export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: false,
    sourcemap: false,
    lib: {
      entry: "widget/main.ts",
      name: "ISMessengerWidget",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
});
