import { defineConfig } from "vite";

// Relative asset paths: the built app runs from any folder or static server.
export default defineConfig({
  base: "./",
  server: { port: 5173, strictPort: true },
  preview: { port: 4173, strictPort: true },
});
