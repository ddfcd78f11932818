import { adapterList } from './adapter-list.js'
import { expressApp, nodeApp } from './apps/node.js'

adapterList('node:http', nodeApp)
adapterList('Express', expressApp)
