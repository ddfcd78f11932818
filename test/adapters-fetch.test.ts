import { adapterList } from './adapter-list.js'
import { fetchApp, honoApp } from './apps/fetch.js'

adapterList('Fetch', fetchApp)
adapterList('Hono', honoApp)
