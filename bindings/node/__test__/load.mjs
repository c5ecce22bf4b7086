// The built module, loaded the way users load it (through the generated index.js).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

export default require('../index.js')
