// After tsc: nothing to copy yet; kept as the one place for build steps (manifest, assets).
