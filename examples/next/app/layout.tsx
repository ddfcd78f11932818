import type { ReactNode } from 'react'

export const metadata = { title: 'sessionup on Next.js' }

/** The root layout every App Router app needs. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', maxWidth: '40rem', margin: '2rem auto' }}>
        {children}
      </body>
    </html>
  )
}
